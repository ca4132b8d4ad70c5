/** Test users logged in to a private ejabberd (ejabberd-server.ts), each `<name>-password` unless given, all stopped at once. */
import type { EjabberdServer } from "./ejabberd-server.js";
import { connectUser, type TestUser } from "./xmpp-user.js";

export interface EjabberdUsers {
  logIn(username: string, password?: string): Promise<TestUser>;
  stopAll(): Promise<void>;
}

export function ejabberdUsers(server: () => EjabberdServer): EjabberdUsers {
  const users: TestUser[] = [];
  return {
    async logIn(username, password = `${username}-password`) {
      const { service } = server();
      const user = await connectUser({ service, domain: "localhost", username, password, timeoutMs: 5_000 });
      users.push(user);
      return user;
    },
    async stopAll() {
      await Promise.allSettled(users.map((user) => user.stop()));
    },
  };
}
