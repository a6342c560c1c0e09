/**
 * Names shared by the task definition, the build spec and the deploy action. The ECS deploy action
 * matches `imagedefinitions.json` entries to containers by name at run time, so one constant feeds both.
 */
export const APP_CONTAINER_NAME = 'app';
export const APP_PORT = 8080;
export const APP_HEALTH_PATH = '/healthz';
export const APP_GREETING = 'Hello CodePipeline.';
/** The ECR tag that always names the image the service runs: the app pipeline moves it after a good deploy. */
export const LIVE_IMAGE_TAG = 'live';
export const IMAGE_DEFINITIONS_FILE = 'imagedefinitions.json';
/** The Cloud Map service name: the app answers on `app.<stage>.internal`. */
export const SERVICE_DISCOVERY_NAME = 'app';
