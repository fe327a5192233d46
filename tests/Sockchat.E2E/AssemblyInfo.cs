// Each test starts a few real processes; two collections at a time keep a 2-core machine busy
// without starving the processes (xunit 2.9's default "conservative" algorithm honours this).
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
