// Reachability Analyzer on the wire: paths and analyses, computed by the same trace as the CLI.
import {
  type CreateNetworkInsightsPathInput, type DescribeNetworkInsightsAnalysesInput, type DescribeNetworkInsightsPathsInput,
  type StartNetworkInsightsAnalysisInput, createNetworkInsightsPath, deleteNetworkInsightsAnalysis, deleteNetworkInsightsPath,
  describeNetworkInsightsAnalyses, describeNetworkInsightsPaths, startNetworkInsightsAnalysis,
} from "../../control/insights.js";
import { type ActionTable, type PageInput, as, paginate } from "../actions.js";

/** These Describe calls take MaxResults from 1 to 100 (the API reference). */
const BOUNDS = { min: 1, max: 100 };

export const INSIGHTS_ACTIONS: ActionTable = {
  CreateNetworkInsightsPath: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<CreateNetworkInsightsPathInput>(input);
      return { networkInsightsPath: createNetworkInsightsPath(ctx, i) };
    },
  },
  DescribeNetworkInsightsPaths: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeNetworkInsightsPathsInput & PageInput>(input);
      const { page, nextToken } = paginate(describeNetworkInsightsPaths(ctx, i), i, BOUNDS);
      return { networkInsightsPaths: page, nextToken };
    },
  },
  DeleteNetworkInsightsPath: {
    mutates: true,
    run: (ctx, input) => deleteNetworkInsightsPath(ctx, as<{ networkInsightsPathId: string }>(input)),
  },
  StartNetworkInsightsAnalysis: {
    mutates: true,
    run: (ctx, input) => ({ networkInsightsAnalysis: startNetworkInsightsAnalysis(ctx, as<StartNetworkInsightsAnalysisInput>(input)) }),
  },
  DescribeNetworkInsightsAnalyses: {
    mutates: false,
    run: (ctx, input) => {
      const i = as<DescribeNetworkInsightsAnalysesInput & PageInput>(input);
      const { page, nextToken } = paginate(describeNetworkInsightsAnalyses(ctx, i), i, BOUNDS);
      return { networkInsightsAnalyses: page, nextToken };
    },
  },
  DeleteNetworkInsightsAnalysis: {
    mutates: true,
    run: (ctx, input) => deleteNetworkInsightsAnalysis(ctx, as<{ networkInsightsAnalysisId: string }>(input)),
  },
};
