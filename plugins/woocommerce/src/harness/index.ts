export * from './locate.js';
export * from './site.js';
