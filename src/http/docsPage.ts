/** The parts of an OpenAPI document the page shows. */
interface OpenApiLike {
  info: { title: string; version: string; description?: string };
  paths?: object;
  components?: { schemas?: object };
}

interface OperationLike {
  summary?: string;
  parameters?: Array<{ name: string; in: string; description?: string }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<
    string,
    { description?: string; content?: Record<string, { schema?: unknown }> }
  >;
}

/**
 * A plain HTML page of the API, rendered on the server from the OpenAPI document: no script, no
 * CDN, nothing to install, and it passes helmet's default content security policy.
 *
 * @example
 * ```ts
 * res.type('html').send(docsPage(openApiDocument(apiRoutes)));
 * ```
 */
export function docsPage(doc: OpenApiLike): string {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, OperationLike>>;
  const operations = Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => operation(method, path, op)),
  );
  const schemas = Object.entries(doc.components?.schemas ?? {}).map(
    ([name, schema]) => `<h3 id="schema-${esc(name)}">${esc(name)}</h3>${json(schema)}`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info.title)} API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
pre{background:#f4f4f4;padding:.5rem;overflow:auto}code{background:#f4f4f4}
h2{border-top:1px solid #ccc;padding-top:1rem}.m{font-weight:bold;text-transform:uppercase}</style>
</head><body>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
<p>${esc(doc.info.description ?? '')}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
${operations.join('\n')}
<h2>Schemas</h2>
${schemas.join('\n')}
</body></html>`;
}

function operation(method: string, path: string, op: OperationLike): string {
  const params = (op.parameters ?? [])
    .map((p) => `<li><code>${esc(p.name)}</code> (${esc(p.in)}) ${esc(p.description ?? '')}</li>`)
    .join('');
  const body = Object.entries(op.requestBody?.content ?? {})
    .map(([type, { schema }]) => `<p>Body (<code>${esc(type)}</code>):</p>${json(schema)}`)
    .join('');
  const responses = Object.entries(op.responses ?? {})
    .map(([status, r]) => {
      const types = Object.entries(r.content ?? {})
        .map(([type, { schema }]) => `<code>${esc(type)}</code> ${ref(schema)}`)
        .join(', ');
      return `<li><b>${esc(status)}</b> ${esc(r.description ?? '')} ${types}</li>`;
    })
    .join('');
  return `<h2><span class="m">${esc(method)}</span> <code>${esc(path)}</code></h2>
<p>${esc(op.summary ?? '')}</p>${params && `<ul>${params}</ul>`}${body}<ul>${responses}</ul>`;
}

/** A link to a named schema, or the inline schema. */
function ref(schema: unknown): string {
  const target = (schema as { $ref?: unknown } | undefined)?.$ref;
  if (typeof target === 'string') {
    const name = target.split('/').pop() ?? '';
    return `<a href="#schema-${esc(name)}">${esc(name)}</a>`;
  }
  return schema === undefined ? '' : `<code>${esc(JSON.stringify(schema))}</code>`;
}

function json(value: unknown): string {
  return `<pre>${esc(JSON.stringify(value, null, 2))}</pre>`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
