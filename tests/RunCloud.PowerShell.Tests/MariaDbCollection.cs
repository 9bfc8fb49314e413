using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>The test classes that share one MariaDB (started once per run).</summary>
    [CollectionDefinition(Name)]
    public sealed class MariaDbCollection : ICollectionFixture<MariaDbFixture>
    {
        public const string Name = "MariaDB";
    }
}
