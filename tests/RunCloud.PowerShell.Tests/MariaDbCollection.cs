using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// The test classes that share one MariaDB (started once per run). They run on their own, after the parallel
    /// collections: reading 10,000 rows allocates tens of MB for a moment, which the heap ceilings of the hostile-server
    /// tests (a process-wide GC measure) would otherwise count as theirs.
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class MariaDbCollection : ICollectionFixture<MariaDbFixture>
    {
        public const string Name = "MariaDB";
    }
}
