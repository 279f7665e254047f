import { describe, expect, it } from "vitest";
import { isMysqlUrl, storedAfter } from "../../systems/trackr/app/db-mysql.ts";

/** What trackr answers about a failed MySQL write: only a rollback the server confirmed is "not stored". */
describe("trackr on MySQL: outcome of a failed write", () => {
  const serverError = (errno: number, code: string) => Object.assign(new Error(code), { errno, code, sqlState: "HY000" });

  it("is 'not stored' when the server answered with a rollback", () => {
    expect(storedAfter(serverError(1213, "ER_LOCK_DEADLOCK"))).toBe(false); // Galera certification conflict
    expect(storedAfter(serverError(1047, "ER_UNKNOWN_COM_ERROR"))).toBe(false); // node outside the primary component
    expect(storedAfter(serverError(1114, "ER_RECORD_FILE_FULL"))).toBe(false); // disk full
  });

  it("is 'not stored' when the pooled connection was dead before the command left", () => {
    expect(storedAfter(Object.assign(new Error("Can't add new command when connection is in closed state"), { fatal: true }))).toBe(false);
  });

  it("is unknown when the connection died or timed out after sending, or the commit failed while replicating", () => {
    expect(storedAfter(Object.assign(new Error("Connection lost: The server closed the connection."), { code: "PROTOCOL_CONNECTION_LOST", fatal: true }))).toBe("unknown");
    expect(storedAfter(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET", errno: -104 }))).toBe("unknown");
    expect(storedAfter(Object.assign(new Error("Query inactivity timeout"), { code: "PROTOCOL_SEQUENCE_TIMEOUT" }))).toBe("unknown");
    expect(storedAfter(serverError(1180, "ER_ERROR_DURING_COMMIT"))).toBe("unknown");
    expect(storedAfter("not even an error")).toBe("unknown");
  });

  it("selects MySQL by the URL scheme only", () => {
    expect(isMysqlUrl("mysql://u:p@router:3306/trackr")).toBe(true);
    expect(isMysqlUrl("postgres://postgres:p@db:5432/trackr")).toBe(false);
  });
});
