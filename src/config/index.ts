export * from './config-error';
export * from './config-source';
export * from './example-config';
export * from './load-config';
export * from './parse-config';
export * from './platform-config';
