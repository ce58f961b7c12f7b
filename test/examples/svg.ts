/**
 * @file Test helper: parses an SVG file with Python's XML parser (an independent well-formedness oracle) and
 * returns a summary of what it holds.
 */
import { spawnSync } from 'node:child_process';

/** What `inspectSvg` finds: the root tag, the point count of every polyline and every text content. */
export interface SvgSummary {
  root: string;
  polylines: number[];
  circles: number;
  texts: string[];
}

const PY = `
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = '{http://www.w3.org/2000/svg}'
print(json.dumps({
  'root': root.tag,
  'polylines': [len(p.get('points').split()) for p in root.iter(ns + 'polyline')],
  'circles': len(list(root.iter(ns + 'circle'))),
  'texts': [t.text or '' for t in root.iter(ns + 'text')],
}))
`;

/** Parses `file` as XML (throws with Python's message when it is not well-formed). */
export function inspectSvg(file: string): SvgSummary {
  const r = spawnSync('python3', ['-c', PY, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`not well-formed SVG: ${r.stderr}`);
  return JSON.parse(r.stdout) as SvgSummary;
}
