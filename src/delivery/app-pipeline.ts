import { Duration } from 'aws-cdk-lib';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { imageDefinitionsFile } from '../app-contract';

/** A stage the release goes through, as the app pipeline sees it: everything named, nothing referenced. */
export interface ReleaseTarget {
  readonly name: string;
  readonly region: string;
  readonly service: ecs.IBaseService;
  /** The stage's deploy role, in the stage's account, that the ECS deploy action assumes. */
  readonly deployRole: iam.IRole;
  readonly liveTag: string;
  readonly requiresApproval: boolean;
  /** The ARN of the stage's in-VPC check function, when the stage is checked after each deploy. */
  readonly checkFunctionArn?: string;
}

export interface AppPipelineProps {
  readonly pipelineName: string;
  readonly role: iam.IRole;
  /** The artifact store of every region where the pipeline runs an action, its own included. */
  readonly artifactBuckets: Record<string, s3.IBucket>;
  readonly sourceRepository: codecommit.IRepository;
  readonly branch: string;
  readonly imageBuild: codebuild.IProject;
  readonly copyImage: codebuild.IProject;
  readonly markLive: codebuild.IProject;
  readonly serviceCheck: codebuild.IProject;
  /** The region of the toolchain, where the image is built and where every stage's release is copied from. */
  readonly buildRegion: string;
  /** In the order of the configuration: the release reaches each only after the one before it. */
  readonly targets: readonly ReleaseTarget[];
}

/**
 * The one app pipeline: a push to the app repository's branch is built once, then the same digest goes
 * through every stage in order (docs/adr/0005):
 *
 *   Source → Build → <stage 1> → <stage 2> → …
 *   each stage: [approval] → [copy to its region] → ECS deploy by digest → mark live-<stage> ‖ [check]
 *
 * An approval quotes the digest, the commit and the previous stage's check; a failed check stops the
 * release before the next stage.
 */
export class AppPipeline extends Construct {
  public readonly pipeline: codepipeline.Pipeline;

  public constructor(scope: Construct, id: string, props: AppPipelineProps) {
    super(scope, id);
    const source = new codepipeline.Artifact('Source');
    const imageDefinitions = new codepipeline.Artifact('ImageDefinitions');

    const sourceAction = new actions.CodeCommitSourceAction({
      actionName: 'Source',
      repository: props.sourceRepository,
      branch: props.branch,
      output: source,
      trigger: actions.CodeCommitTrigger.EVENTS,
      variablesNamespace: 'Source',
    });
    const buildAction = new actions.CodeBuildAction({
      actionName: 'BuildImage',
      project: props.imageBuild,
      input: source,
      outputs: [imageDefinitions],
      variablesNamespace: 'Build',
      environmentVariables: { SOURCE_COMMIT_ID: { value: sourceAction.variables.commitId } },
    });
    const digest = buildAction.variable('IMAGE_DIGEST');
    const tag = buildAction.variable('IMAGE_TAG');
    const commit = buildAction.variable('COMMIT_ID');

    const stages: codepipeline.StageProps[] = [
      { stageName: 'Source', actions: [sourceAction] },
      { stageName: 'Build', actions: [buildAction] },
    ];
    let previous: { name: string; checkNamespace?: string } | undefined;
    for (const target of props.targets) {
      const stageActions: codepipeline.IAction[] = [];
      if (target.requiresApproval) {
        const previousCheck = !previous ? ''
          : previous.checkNamespace ? ` ${previous.name}'s check: #{${previous.checkNamespace}.CHECK_RESULT}.`
            : ` ${previous.name} has no post-deploy check.`;
        stageActions.push(new actions.ManualApprovalAction({
          actionName: `Approve-${target.name}`,
          runOrder: 1,
          additionalInformation: `Release ${digest} (commit ${commit}, tag ${tag}) to ${target.name}?${previousCheck}`,
        }));
      }
      if (target.region !== props.buildRegion) {
        stageActions.push(new actions.CodeBuildAction({
          actionName: `CopyTo-${target.region}`,
          runOrder: 2,
          project: props.copyImage,
          input: imageDefinitions,
          environmentVariables: {
            TARGET_REGION: { value: target.region },
            IMAGE_DIGEST: { value: digest },
            IMAGE_TAG: { value: tag },
          },
        }));
      }
      stageActions.push(new actions.EcsDeployAction({
        actionName: 'Deploy',
        runOrder: 3,
        service: target.service,
        imageFile: imageDefinitions.atPath(imageDefinitionsFile(target.region)),
        deploymentTimeout: Duration.minutes(30),
        role: target.deployRole,
      }));
      // After a good deploy the stage's tag names what it runs, so an infrastructure deploy keeps it (ADR 0002).
      stageActions.push(new actions.CodeBuildAction({
        actionName: 'MarkLive',
        runOrder: 4,
        project: props.markLive,
        input: imageDefinitions,
        environmentVariables: {
          REGION: { value: target.region },
          LIVE_TAG: { value: target.liveTag },
          IMAGE_DIGEST: { value: digest },
        },
      }));
      const checkNamespace = target.checkFunctionArn ? `Check-${target.name}` : undefined;
      if (target.checkFunctionArn) {
        stageActions.push(new actions.CodeBuildAction({
          actionName: 'ServiceCheck',
          runOrder: 4,
          project: props.serviceCheck,
          input: imageDefinitions,
          variablesNamespace: checkNamespace,
          environmentVariables: {
            FUNCTION_REGION: { value: target.region },
            FUNCTION_ARN: { value: target.checkFunctionArn },
          },
        }));
      }
      stages.push({ stageName: target.name, actions: stageActions });
      previous = { name: target.name, checkNamespace };
    }

    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: props.pipelineName,
      pipelineType: codepipeline.PipelineType.V2,
      role: props.role,
      crossRegionReplicationBuckets: props.artifactBuckets,
      crossAccountKeys: true,
      restartExecutionOnUpdate: false,
      stages,
    });
  }
}
