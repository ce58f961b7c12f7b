/**
 * @file The one graph walk the scheduler and the transforms share: an iterative post-order over the nodes that
 * produce some arrays (chains can be thousands of nodes long, too deep for recursion).
 */
import type { MxArray, Node } from './array.js';

/**
 * Visits every node under `roots` once, inputs before consumers, not descending through arrays for which
 * `stop(x)` holds (already-evaluated arrays for the scheduler, trace leaves for the transforms).
 *
 * @example
 * ```ts
 * postOrder(targets, (x) => x._data !== null, (n) => order.push(n));
 * ```
 */
export function postOrder(roots: readonly MxArray[], stop: (x: MxArray) => boolean, visit: (n: Node) => void): void {
  const seen = new Set<Node>();
  // two flat stacks (node, next input to look at) rather than one pair per node: less garbage on long chains
  const nodes: Node[] = [];
  const next: number[] = [];
  for (const r of roots) {
    const n0 = r._node;
    if (!n0 || stop(r) || seen.has(n0)) continue;
    seen.add(n0);
    nodes.push(n0); next.push(0);
    while (nodes.length) {
      const top = nodes.length - 1;
      const node = nodes[top]!;
      const i = next[top]!;
      if (i < node.inputs.length) {
        next[top] = i + 1;
        const inp = node.inputs[i]!;
        const child = inp._node;
        if (child && !stop(inp) && !seen.has(child)) {
          seen.add(child);
          nodes.push(child); next.push(0);
        }
      } else {
        nodes.pop(); next.pop();
        visit(node);
      }
    }
  }
}
