// The end-to-end tests each train on the machine's cores; run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
