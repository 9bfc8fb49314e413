using System.Linq;
using System.Management.Automation;
using Xunit;
using RunCloud.PowerShell.Commands;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Tests
{
    [Collection(SessionCollection.Name)]
    public class GetRunCloudConnectionTests
    {
        [Fact]
        public void WritesNothingWhenNotConnected()
        {
            RunCloudSession.Exchange(null);
            using var host = new PowerShellHost();
            var output = host.Invoke("Get-RunCloudConnection", out var errors);
            Assert.Empty(output);
            Assert.Empty(errors);
        }

        [Fact]
        public void DeclaresItsOutputType()
        {
            var attribute = typeof(GetRunCloudConnectionCommand).GetCustomAttributes(typeof(OutputTypeAttribute), false)
                .Cast<OutputTypeAttribute>().Single();
            Assert.Equal(typeof(RunCloudConnection), attribute.Type.Single().Type);
        }
    }

    /// <summary>Tests that touch the process-wide default connection run one at a time.</summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public class SessionCollection
    {
        public const string Name = "RunCloud default connection";
    }
}
