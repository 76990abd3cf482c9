import { Module } from '@medusajs/framework/utils';
import RobokassaModuleService from './service';

/** Container key of the plugin's module: `req.scope.resolve(ROBOKASSA_MODULE)`. */
export const ROBOKASSA_MODULE = 'robokassa';

export default Module(ROBOKASSA_MODULE, { service: RobokassaModuleService });
