import { twoInstancesSuite } from './two-instances-suite';

/**
 * Issue #11 §1, the case that made 101–104 orders for 100 carts: two Medusa instances on one database with Medusa's
 * default in-memory locking (each instance locks only itself). The plugin's PostgreSQL lock per cart
 * (src/lib/cart-lock.ts) alone keeps exactly one order per cart and every callback `OK{InvId}`; the boot check sees
 * the two instances and warns MULTI_INSTANCE_LOCKING_IN_MEMORY (the second instance's log, the admin API). Fewer
 * carts than the Redis test: the point is the lock and the warning, not the volume.
 */
await twoInstancesSuite({
  locking: 'in-memory',
  carts: Number(process.env.KASSA_TWO_INSTANCES_CARTS ?? 30),
  dbName: 'kassa-two-instances-in-memory',
});
