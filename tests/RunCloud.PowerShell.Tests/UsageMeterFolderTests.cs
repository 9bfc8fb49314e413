using System;
using System.IO;
using RunCloud.PowerShell.Auth;
using RunCloud.PowerShell.Commands;
using RunCloud.PowerShell.Http;
using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// An account's meter (its calls and its monthly quota) belongs to the state folder whose ledger counts it: a session
    /// that moves to another state folder (RUNCLOUD_STATE_PATH) counts there, and a quota given for one folder's account
    /// never stops a sync that counts in another. Before, one meter per account and process kept the first folder and its
    /// quota: the Pester suite saw a quota given in one test file stop a sync in another (same emulator port reused, same
    /// token), and a user switching folders would have written counts into the old one.
    /// </summary>
    [Collection(ProcessStateFolderCollection.Name)]
    public sealed class UsageMeterFolderTests : IDisposable
    {
        private readonly string? _saved = Environment.GetEnvironmentVariable("RUNCLOUD_STATE_PATH");
        private readonly string _root = Path.Combine(Path.GetTempPath(), "rc-meter-" + Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            Environment.SetEnvironmentVariable("RUNCLOUD_STATE_PATH", _saved);
            try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        [Fact]
        public void A_meter_belongs_to_the_state_folder_its_ledger_counts_in()
        {
            var api = new Uri("http://127.0.0.1:45123/api/v3/");
            RunCloudCredential credential = RunCloudCredential.ForToken(SecureText.FromPlain("meter-folder-token"));

            Environment.SetEnvironmentVariable("RUNCLOUD_STATE_PATH", Path.Combine(_root, "a"));
            ApiUsageMeter first = LedgerUsageStore.MeterFor(api, credential);
            first.MonthlyQuota = 100;
            Assert.Same(first, LedgerUsageStore.MeterFor(api, credential));

            Environment.SetEnvironmentVariable("RUNCLOUD_STATE_PATH", Path.Combine(_root, "b"));
            ApiUsageMeter second = LedgerUsageStore.MeterFor(api, credential);
            Assert.NotSame(first, second);
            Assert.Null(second.MonthlyQuota);
        }
    }
}
