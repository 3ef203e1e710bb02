// Commands for tlog: registered with register(...) from './index.js'.
export {};
