import type { MedusaContainer } from '@medusajs/framework/types';
import { ROBOKASSA_MODULE } from '../modules/robokassa';
import type RobokassaModuleService from '../modules/robokassa/service';

/** The plugin's module (ledger + settings) from a request scope or the app container. */
export function robokassaModule(container: MedusaContainer): RobokassaModuleService {
  return container.resolve<RobokassaModuleService>(ROBOKASSA_MODULE);
}
