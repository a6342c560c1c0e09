/**
 * What the app, its image and its deployment agree on. The ECS deploy action matches `imagedefinitions`
 * entries to containers by name at run time, so one constant feeds the task definition and the build spec.
 */
export const APP_CONTAINER_NAME = 'app';
export const APP_PORT = 8080;
export const APP_HEALTH_PATH = '/healthz';
export const APP_GREETING = 'Hello CodePipeline.';
/** The Cloud Map service name: the app answers on `app.<stage>.internal`. */
export const SERVICE_DISCOVERY_NAME = 'app';
/** Every tag the app pipeline moves starts with this; every other tag is immutable (docs/adr/0002). */
export const LIVE_TAG_PREFIX = 'live-';

/**
 * The image definitions the ECS deploy action of a stage in `region` reads: the image by digest in that
 * region's repository. The image build writes one per region that has a stage.
 */
export function imageDefinitionsFile(region: string): string {
  return `imagedefinitions-${region}.json`;
}
