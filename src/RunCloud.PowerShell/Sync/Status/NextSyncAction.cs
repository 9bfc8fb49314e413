namespace RunCloud.PowerShell.Sync.Status
{
    /// <summary>The values of RunCloudNetworkStatus.NextSync.</summary>
    internal static class NextSyncAction
    {
        public const string Add = "Add";
        public const string Remove = "Remove";
        public const string Keep = "Keep";
        public const string Skip = "Skip";
    }
}
