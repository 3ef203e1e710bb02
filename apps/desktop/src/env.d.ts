// Vite asset imports used by the app.
declare module '*.css?raw' {
  const css: string;
  export default css;
}
declare module '*.css';
declare module '*?worker&inline' {
  const WorkerCtor: new () => Worker;
  export default WorkerCtor;
}
