/**
 * Disabling accounts over chat (issue 25, point 2), admins only: `disable tree user@domain` first says what it will
 * do (nothing changes), and `disable tree user@domain confirm` revokes every pending invite of the tree and disables
 * (or, where the server cannot, locks) the accounts below that account; `disable user@domain` one account, e.g. the
 * root of such a tree; `enable user@domain` one disabled account again, where the server disables accounts.
 */
import type { ChatKeyword } from "../chat/router.js";
import type { InviteService } from "../invites/service.js";
import type { RequestContext } from "./context.js";
import { normalisedJid } from "./manage-commands.js";
import { accountReply, disablingReply, planReply } from "./tree-text.js";

const admins = ({ actor }: RequestContext): boolean => actor.isAdmin;

export function accountChatKeywords(service: InviteService): ChatKeyword<RequestContext>[] {
  return [
    {
      keyword: "disable tree",
      help: "disable tree user@domain — revokes every pending invite of that account's invite tree and disables the accounts in it (asks first)",
      allowed: admins,
      takesArguments: true,
      run: async ({ actor, log }, args) => {
        const match = /^(\S+)(\s+confirm)?$/iu.exec(args.trim());
        const root = normalisedJid(match?.[1]);
        if (match === null || root === undefined) return 'Say "disable tree user@domain".';
        if (match[2] === undefined)
          return planReply(await service.accounts.plan(actor, root), `disable tree ${root} confirm`);
        const result = await service.accounts.disableTree(actor, root);
        log.info("Accounts of an invite tree disabled", {
          tree: root,
          way: result.way,
          revoked: result.revoked,
          done: result.done.length,
          failed: result.failed.length,
        });
        return disablingReply(result);
      },
    },
    {
      keyword: "disable",
      help: "disable user@domain — disables one account (where the server cannot, locks it)",
      allowed: admins,
      takesArguments: true,
      run: async ({ actor, log }, args) => {
        const jid = normalisedJid(args);
        if (jid === undefined)
          return 'Say "disable user@domain", or "disable tree user@domain" for everyone it brought in.';
        const outcome = await service.accounts.disable(actor, jid);
        log.info("Account disabled", { jid, way: outcome.way, ok: outcome.ok });
        return accountReply(jid, outcome);
      },
    },
    {
      keyword: "enable",
      help: "enable user@domain — enables a disabled or banned account again (Prosody 13; ejabberd 24.06 and later, with its API)",
      allowed: admins,
      takesArguments: true,
      run: async ({ actor, log }, args) => {
        const jid = normalisedJid(args);
        if (jid === undefined) return 'Say "enable user@domain".';
        const outcome = await service.accounts.enable(actor, jid);
        log.info("Account enabled", { jid, ok: outcome.ok });
        return outcome.ok ? `Enabled ${jid} again.` : `${jid} was not enabled: ${outcome.why}.`;
      },
    },
  ];
}
