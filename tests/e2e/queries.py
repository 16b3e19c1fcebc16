"""GraphQL the end-to-end tests read the deployment with (the same API the UI uses)."""

RUN = """
query Run($id: ID!) { runOrError(runId: $id) { ... on Run {
  runId status tags { key value } assetSelection { path }
  stepStats { stepKey status startTime endTime }
  assetMaterializations { assetKey { path } partition }
} } }"""

MATERIALIZATIONS = """
query Materializations($key: AssetKeyInput!, $partitions: [String!]) { assetOrError(assetKey: $key) {
  ... on Asset { assetMaterializations(partitions: $partitions) { runId partition } }
} }"""

LAUNCH_BACKFILL = """
mutation Backfill($params: LaunchBackfillParams!) { launchPartitionBackfill(backfillParams: $params) {
  __typename ... on LaunchBackfillSuccess { backfillId } ... on PythonError { message }
  ... on PartitionSetNotFoundError { message } ... on InvalidStepError { invalidStepKey } } }"""

BACKFILL = """
query Backfill($id: String!) { partitionBackfillOrError(backfillId: $id) { ... on PartitionBackfill {
  status error { message } runs(limit: 50) { runId }
} } }"""
