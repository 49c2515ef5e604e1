// (being written)
import type { ActionTable } from "../actions.js";

export const INSTANCE_ACTIONS: ActionTable = {};
