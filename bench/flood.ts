import autocannon from "autocannon";

// The fairness bench's flood (bench/fairness.ts), in a process of its own: autocannon posts one
// query over FLOOD_CONNECTIONS connections until its parent closes stdin, then prints its counts.

const [url, connections, query] = process.argv.slice(2);
const instance = autocannon(
  {
    url,
    method: "POST",
    connections: Number(connections),
    duration: 600,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  },
  (err, result) => {
    if (err) throw err;
    const answers = { requests: result.requests.total, "2xx": result["2xx"], non2xx: result.non2xx };
    process.stdout.write(`${JSON.stringify(answers)}\n`);
    process.exit(0);
  },
);
process.stdin.resume();
process.stdin.on("end", () => instance.stop());
