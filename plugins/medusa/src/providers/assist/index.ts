import { ModuleProvider, Modules } from '@medusajs/framework/utils';
import { AssistProviderService } from './service';

/** `{ resolve: '@kassa/medusa/providers/assist', id: 'assist', options }` → provider `pp_assist_assist`. */
export default ModuleProvider(Modules.PAYMENT, { services: [AssistProviderService] });
