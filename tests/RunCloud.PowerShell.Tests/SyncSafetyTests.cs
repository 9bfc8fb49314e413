using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>Sync-RunCloudDomain against a hostile listing: nothing is changed on the strength of a bad item.</summary>
    public class SyncSafetyTests
    {
        private const string Primary = "{\"id\":1,\"name\":\"main.example.com\",\"type\":\"primary\"}";

        private static (IReadOnlyList<ErrorRecord> Errors, FakeRunCloud Fake, RunCloudSyncResult? Result) Sync(string items, string arguments)
        {
            var fake = new FakeRunCloud("[" + Primary + "," + items + "]");
            using RunCloudConnection connection = ClientFactory.Create(fake);
            using var host = new PowerShellHost();
            var output = host.Invoke("Sync-RunCloudDomain -Connection $c -ServerId 1 -WebAppId 2 " + arguments + " -ErrorAction Continue",
                out var errors, new Dictionary<string, object> { ["c"] = connection });
            return (errors, fake, output.Select(o => o.BaseObject).OfType<RunCloudSyncResult>().SingleOrDefault());
        }

        [Theory]
        [InlineData("{\"name\":\"a.example.com\",\"type\":\"alias\"},{\"name\":\"b.example.com\",\"type\":\"alias\"}", "no id")]
        [InlineData("{\"id\":\"abc\",\"name\":\"a.example.com\",\"type\":\"alias\"}", "malformed 'id'")]
        [InlineData("{\"id\":5,\"type\":\"alias\"},{\"id\":6,\"type\":\"alias\"},{\"id\":7,\"type\":\"alias\"}", "no name")]
        [InlineData("{\"id\":5,\"name\":\"main2.example.com\"}", "no type")]
        public void InvalidListingItem_ChangesNothing_AndNamesTheItem(string items, string problem)
        {
            var (errors, fake, result) = Sync(items, "-Domain keep.example.com,new.example.com -Prune");
            Assert.Null(result);
            ErrorRecord error = Assert.Single(errors);
            Assert.StartsWith("RunCloudInvalidResponse", error.FullyQualifiedErrorId);
            // A missing id/name/type is named by its position in the listing; a malformed value by the value itself.
            Assert.Contains(problem, error.Exception.Message);
            if (!problem.StartsWith("malformed", System.StringComparison.Ordinal)) Assert.Contains("item 2", error.Exception.Message);
            Assert.Empty(fake.Mutations);
        }

        /// <summary>
        /// An id of the wrong type fails the read of the listing itself (a malformed value names its field and value),
        /// before any plan: the sync still changes nothing.
        /// </summary>
        [Fact]
        public void NonNumericIdInTheListing_ChangesNothing_AndNamesTheFieldAndValue()
        {
            var (errors, fake, result) = Sync("{\"id\":\"abc\",\"name\":\"a.example.com\",\"type\":\"alias\"}", "-Domain keep.example.com,new.example.com -Prune");
            Assert.Null(result);
            ErrorRecord error = Assert.Single(errors);
            Assert.StartsWith("RunCloudInvalidResponse", error.FullyQualifiedErrorId);
            Assert.Contains("'id'", error.Exception.Message);
            Assert.Contains("\"abc\" is not a whole number", error.Exception.Message);
            Assert.Empty(fake.Mutations);
        }

        [Theory]
        [InlineData("OLD.Example.com")]
        [InlineData("old.example.com.")]
        [InlineData("bücher.example.com")]
        public void ServerNamesAreNormalisedBeforeComparing_NothingIsRemovedAndReAdded(string serverName)
        {
            string desired = serverName.StartsWith("b", System.StringComparison.Ordinal) ? "xn--bcher-kva.example.com" : "old.example.com";
            var (errors, fake, result) = Sync("{\"id\":5,\"name\":\"" + serverName + "\",\"type\":\"alias\"}", "-Domain " + desired + " -Prune");
            Assert.Empty(errors);
            Assert.NotNull(result);
            Assert.Empty(fake.Mutations);
            Assert.Equal(new[] { desired }, result!.Unchanged);
        }

        [Theory]
        [InlineData("'https://old.example.com/'")]
        [InlineData("'old.example.com:443'")]
        [InlineData("'old.example.com www.old.example.com'")]
        public void InvalidEntry_StopsThePrune_AddsStillHappen(string entry)
        {
            var (errors, fake, result) = Sync("{\"id\":5,\"name\":\"old.example.com\",\"type\":\"alias\"},{\"id\":6,\"name\":\"gone.example.com\",\"type\":\"alias\"}",
                "-Domain 'new.example.com'," + entry + " -Prune -NoSslReset");
            Assert.NotNull(result);
            Assert.False(result!.Success);
            Assert.True(result.PruneStopped);
            Assert.Empty(result.Removed);
            Assert.Equal(new[] { "new.example.com" }, result.Added);
            Assert.DoesNotContain(fake.Mutations, m => m.StartsWith("DELETE", System.StringComparison.Ordinal));
            Assert.Contains(errors, e => e.FullyQualifiedErrorId.StartsWith("RunCloudSyncPruneStopped", System.StringComparison.Ordinal));

            // Accepting invalid entries prunes gone.example.com but never old.example.com, which the entry names.
            (errors, fake, result) = Sync("{\"id\":5,\"name\":\"old.example.com\",\"type\":\"alias\"},{\"id\":6,\"name\":\"gone.example.com\",\"type\":\"alias\"}",
                "-Domain 'new.example.com'," + entry + " -Prune -AllowInvalidEntries -NoSslReset");
            Assert.Equal(new[] { "gone.example.com" }, result!.Removed);
            Assert.Equal(new[] { "DELETE servers/1/webapps/2/domains/6" }, fake.Mutations.Where(m => m.StartsWith("DELETE", System.StringComparison.Ordinal)));
        }

        [Fact]
        public void Force_DoesNotLiftMaxRemoveOrTheEmptyListRule()
        {
            string items = string.Join(",", Enumerable.Range(10, 5).Select(i => "{\"id\":" + i + ",\"name\":\"d" + i + ".example.com\",\"type\":\"alias\"}"));
            var (errors, fake, _) = Sync(items, "-Domain keep.example.com -Prune -MaxRemove 2 -Force");
            Assert.StartsWith("RunCloudSyncTooManyRemovals", Assert.Single(errors).FullyQualifiedErrorId);
            Assert.Empty(fake.Mutations);

            (errors, fake, _) = Sync(items, "-Domain @() -Prune -MaxRemove 100 -Force");
            Assert.StartsWith("RunCloudSyncEmptySource", Assert.Single(errors).FullyQualifiedErrorId);
            Assert.Empty(fake.Requests);

            var (_, fake2, result) = Sync(items, "-Domain @() -Prune -MaxRemove 100 -AllowEmptySource -NoSslReset");
            Assert.Equal(5, result!.Removed.Length);
            Assert.Equal(5, fake2.Mutations.Count());
        }

        [Fact]
        public void ExcludeIsNormalised_AUnicodeExcludeProtectsThePunycodeDomain()
        {
            var (_, fake, result) = Sync("{\"id\":5,\"name\":\"xn--bcher-kva.example.com\",\"type\":\"alias\"}", "-Domain keep.example.com -Prune -Exclude 'BÜCHER.example.com.' -NoSslReset");
            Assert.DoesNotContain(fake.Mutations, m => m.StartsWith("DELETE", System.StringComparison.Ordinal));
            Assert.Contains(result!.Skipped, s => s.Name == "xn--bcher-kva.example.com");
        }
    }
}
