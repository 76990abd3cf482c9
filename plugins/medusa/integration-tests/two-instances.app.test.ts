import { twoInstancesSuite } from './two-instances-suite';

/**
 * Issue #11 §1: two Medusa instances on one database, configured as the README's "Several Medusa instances" asks
 * (Medusa's Redis locking provider), take the same ResultURL callbacks: 100 carts, 1,000 callbacks split 5/5 between
 * the instances → exactly 100 orders, every callback `OK{InvId}`, no 5xx, and the boot check sees two instances with
 * shared locking (no warning). The scenario and its checks: two-instances-suite.ts.
 */
await twoInstancesSuite({
  locking: 'redis',
  carts: Number(process.env.KASSA_TWO_INSTANCES_CARTS ?? 100),
  dbName: 'kassa-two-instances',
});
