// The runtime's ceiling: the least a Worker can do per request.
export default {
  fetch: () => new Response('Hello World!'),
};
