using Xunit;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>
    /// Tests that point the process's state folder (RUNCLOUD_STATE_PATH) somewhere of their own run alone: every other
    /// test's default journal store and usage ledger read that variable, and a folder changed or deleted under them made
    /// unrelated tests fail (a journal written into a folder another test had just removed).
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class ProcessStateFolderCollection
    {
        public const string Name = "The process's state folder";
    }
}
