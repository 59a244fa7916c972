// Torch's thread pool is process-wide: tests run one at a time so each has all cores and the
// same thread count, which determinism tests depend on.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
