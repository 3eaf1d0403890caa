/**
 * What the report's two pages (html.ts, the aggregate; calls-html.ts, the call browser) share: the document's head
 * with its Content-Security-Policy, the page data embedded as JSON, and a link to the other page's file.
 */

/** The page up to and including `<body>`: language, charset, CSP, viewport, title and the inline style. */
export function pageHead(title: string, csp: string, style: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${style}</style>
</head>
<body>`;
}

/** The model as JSON for an inline script: every `<` escaped, so no `</script>` in the data can end it. */
export const inlineJson = (model: unknown): string => JSON.stringify(model).replace(/</g, "\\u003c");

/** A file name next to the page as an `href` value (encoded, quotes included). */
export const hrefOf = (file: string): string => encodeURI(file).replace(/"/g, "%22");
