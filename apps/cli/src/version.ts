import cliPackage from '../package.json' with { type: 'json' };

/** The CLI's version, from its package.json (inlined by the bundler). */
export const CLI_VERSION: string = cliPackage.version;

/** How results name the verifier that produced them (JSON, HTML and OSCAL outputs). */
export const VERIFIER = `lineage ${CLI_VERSION}`;
