// (being written)
import type { ActionTable } from "../actions.js";

export const GATEWAY_ACTIONS: ActionTable = {};
