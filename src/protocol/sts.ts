// STS GetCallerIdentity: who the access key says the caller is (a 12-digit key is that account).
import type { ActionTable } from "./actions.js";

export const STS_ACTIONS: ActionTable = {
  GetCallerIdentity: {
    mutates: false,
    run: (ctx) => ({ userId: ctx.account, account: ctx.account, arn: `arn:aws:iam::${ctx.account}:root` }),
  },
};
