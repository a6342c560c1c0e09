import { Duration } from 'aws-cdk-lib';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import type * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IMAGE_DEFINITIONS_FILE } from '../app-constants';

export interface AppPipelineProps {
  readonly pipelineName: string;
  readonly sourceRepository: codecommit.IRepository;
  readonly branch: string;
  readonly artifactBucket: s3.IBucket;
  readonly buildProject: codebuild.IProject;
  readonly promoteProject: codebuild.IProject;
  readonly service: ecs.IBaseService;
  readonly deployRole: iam.IRole;
  readonly notifications: sns.ITopic;
}

/**
 * CodeCommit → image build → ECS standard deploy → promote `live`, started by an EventBridge rule on a push.
 * The promote step is what keeps an infrastructure deploy from rolling the app back (docs/adr/0002).
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
      project: props.buildProject,
      input: source,
      outputs: [imageDefinitions],
      variablesNamespace: 'Build',
      environmentVariables: { SOURCE_COMMIT_ID: { value: sourceAction.variables.commitId } },
    });

    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: props.pipelineName,
      pipelineType: codepipeline.PipelineType.V2,
      artifactBucket: props.artifactBucket,
      restartExecutionOnUpdate: false,
      stages: [
        { stageName: 'Source', actions: [sourceAction] },
        { stageName: 'Build', actions: [buildAction] },
        {
          stageName: 'Deploy',
          actions: [
            new actions.EcsDeployAction({
              actionName: 'DeployToEcs',
              service: props.service,
              imageFile: imageDefinitions.atPath(IMAGE_DEFINITIONS_FILE),
              deploymentTimeout: Duration.minutes(30),
              role: props.deployRole,
              runOrder: 1,
            }),
            new actions.CodeBuildAction({
              actionName: 'PromoteLiveTag',
              project: props.promoteProject,
              input: source,
              environmentVariables: { IMAGE_TAG: { value: '#{Build.IMAGE_TAG}' } },
              runOrder: 2,
            }),
          ],
        },
      ],
    });

    this.pipeline.notifyOn('Notifications', props.notifications, {
      events: [
        codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED,
        codepipeline.PipelineNotificationEvents.ACTION_EXECUTION_FAILED,
        codepipeline.PipelineNotificationEvents.MANUAL_APPROVAL_NEEDED,
      ],
    });
  }
}
