import Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import { boundEngineCalls, deadlineOf, describeEngineCall, EngineCallError, engineCallDeadlineMs, findEngineCallError } from "../../env/docker/engine-calls.ts";
import { EnvironmentError } from "../../core/errors.ts";

/** A client whose modem answers through `answer` instead of a socket: the wrapper's logic, no engine. */
function clientAnswering(answer: (options: { path: string; method: string; abortSignal?: AbortSignal }, callback: (error: unknown, data: unknown) => void) => void): Dockerode {
  const docker = new Dockerode({ socketPath: "/nonexistent.sock" });
  (docker as unknown as { modem: { dial: typeof answer } }).modem.dial = answer;
  return boundEngineCalls(docker, 50);
}

describe("engine calls: names, deadlines, failures worded as the harness's", () => {
  it("names the calls a run makes, ids shortened", () => {
    expect(describeEngineCall("POST", "/containers/create?").described).toBe("container create (POST /containers/create)");
    const id = "a".repeat(64);
    expect(describeEngineCall("POST", `/v1.41/containers/${id}/exec?`).described).toBe(`exec create (POST /containers/${"a".repeat(12)}/exec)`);
    expect(describeEngineCall("GET", "/events?filters=x").name).toBe("events stream");
    expect(describeEngineCall("PUT", "/odd").described).toBe("PUT /odd");
  });

  it("bounds every call but builds, image transfers and waits; stop and restart get their t on top", () => {
    expect(deadlineOf("POST", "/containers/create?", {}, 1000)).toBe(1000);
    expect(deadlineOf("POST", "/build?", {}, 1000)).toBeUndefined();
    expect(deadlineOf("POST", "/containers/x/wait?", {}, 1000)).toBeUndefined();
    expect(deadlineOf("POST", "/containers/x/stop?", { t: 10 }, 1000)).toBe(11_000);
  });

  it("reads HAVOC_ENGINE_CALL_TIMEOUT_MS, refusing nonsense with the variable named", () => {
    expect(engineCallDeadlineMs({})).toBe(60_000);
    expect(engineCallDeadlineMs({ HAVOC_ENGINE_CALL_TIMEOUT_MS: "2500" })).toBe(2500);
    expect(() => engineCallDeadlineMs({ HAVOC_ENGINE_CALL_TIMEOUT_MS: "soon" })).toThrow(/HAVOC_ENGINE_CALL_TIMEOUT_MS=soon: expected a positive number/);
  });

  it("a call that never answers rejects at its deadline, naming the call, and its request is aborted", async () => {
    let signal: AbortSignal | undefined;
    const docker = clientAnswering((options) => (signal = options.abortSignal));
    const error = await docker.createContainer({ Image: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineCallError);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EngineCallError).message).toBe("the Docker engine did not answer container create (POST /containers/create) within 50 ms");
    expect((error as EngineCallError).timedOut).toBe(true);
    expect(signal?.aborted).toBe(true);
  });

  it("a refusal (5xx) is the engine's failure, named; answers about an object (404, 409) are left as they were", async () => {
    const refusing = clientAnswering((_o, cb) => cb(Object.assign(new Error("(HTTP code 500) server error - boom"), { statusCode: 500 }), null));
    const refused = await refusing.getContainer("c").inspect().catch((e: unknown) => e);
    expect((refused as Error).message).toBe("the Docker engine failed container inspect (GET /containers/c/json): (HTTP code 500) server error - boom");
    expect((refused as EngineCallError).statusCode).toBe(500);
    expect(findEngineCallError(new Error("wrapped", { cause: refused }))).toBe(refused);
    const gone = clientAnswering((_o, cb) => cb(Object.assign(new Error("(HTTP code 404) no such container"), { statusCode: 404 }), null));
    const notFound = await gone.getContainer("c").remove().catch((e: unknown) => e);
    expect(notFound).not.toBeInstanceOf(EngineCallError);
    expect((notFound as { statusCode: number }).statusCode).toBe(404);
  });

  it("exec start on a container that died after exec create (Docker 20.10 says 500 'is not running') is an answer about the container", async () => {
    const message = "(HTTP code 500) container not running - Container 645479f34765 is not running: Exited (137) Less than a second ago";
    const died = clientAnswering((_o, cb) => cb(Object.assign(new Error(message), { statusCode: 500 }), null));
    const error = await died.getExec("e").start({}).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(EngineCallError);
    expect((error as Error).message).toBe(message);
  });
});
