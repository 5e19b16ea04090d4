import autocannon from "autocannon";
import { scenarios } from "./scenarios";

// The load of `npm run bench`, in a process of its own so that neither server shares its event
// loop with the client: autocannon drives one scenario against one server for `seconds`, then
// prints one JSON line (req/s, latency percentiles, answers, calls made). Its argument is one
// JSON object: { url, target: "candor" | "reference", scenario, token, seconds, connections,
// pool, person, offset }.

interface Job {
  url: string;
  target: "candor" | "reference";
  scenario: string;
  token: string | null;
  seconds: number;
  connections: number;
  pool: number;
  person: string;
  offset: number;
}

const job = JSON.parse(process.argv[2]) as Job;
const scenario = scenarios({ pool: job.pool, person: job.person }, job.offset)[job.scenario];
let calls = 0;
const bodyOf = (k: number) => {
  if (job.target === "candor") return { url: job.url, body: scenario.candor(k) };
  const { route, body } = scenario.reference(k);
  return { url: `${job.url}/${route}`, body };
};
const first = bodyOf(0);
let failures = 0;
let sample = "";

autocannon(
  {
    url: first.url,
    method: "POST",
    connections: job.connections,
    duration: job.seconds,
    headers: { "content-type": "application/json", ...(job.token ? { authorization: `Bearer ${job.token}` } : {}) },
    requests: [
      {
        setupRequest: (req) => {
          const { url, body } = bodyOf(calls++);
          return { ...req, path: new URL(url).pathname, body: JSON.stringify(body) };
        },
        // A GraphQL error or a refused item in a 200 answer is a failure too.
        onResponse: (status, body) => {
          if (status !== 200 || /"errors"|"code"/.test(body)) {
            failures += 1;
            if (!sample) sample = `${status} ${body.slice(0, 300)}`;
          }
        },
      },
    ],
  },
  (err, result) => {
    if (err) throw err;
    const out = {
      rps: result.requests.total / (result.duration || job.seconds),
      p50: result.latency.p50,
      p99: result.latency.p99,
      total: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      failures,
      sample,
      calls,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  },
);
