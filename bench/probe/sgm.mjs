// What subgroup-matrix configurations this adapter offers (with allow_unsafe_apis), and the tier's status.
import * as mx from '../../dist/src/index.js';
const ok = await mx.initGpu({ quiet: true, subgroupMatrix: true });
console.log(ok, JSON.stringify(mx.deviceInfo(mx.gpu).subgroupMatrix), mx.deviceInfo(mx.gpu).description);
mx.shutdown();
