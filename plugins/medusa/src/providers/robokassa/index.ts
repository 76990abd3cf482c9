import { ModuleProvider, Modules } from '@medusajs/framework/utils';
import { RobokassaProviderService } from './service';

/** `{ resolve: '@kassa/medusa/providers/robokassa', id: 'robokassa', options }` → provider `pp_robokassa_robokassa`. */
export default ModuleProvider(Modules.PAYMENT, { services: [RobokassaProviderService] });
