namespace RunCloud.PowerShell.Sync
{
    /// <summary>How a sync learns what the app holds (see <see cref="ChangeDetector"/>).</summary>
    internal enum ReadWay
    {
        /// <summary>The whole listing, every page (the first sync, a full reconcile, -Full, and whenever it is not dearer).</summary>
        Full,

        /// <summary>Only the names that changed in the source, each by RunCloud's search; the rest from the last clean sync's record.</summary>
        Targeted,

        /// <summary>Nothing changed and nothing is owed: not a single call.</summary>
        Unchanged,
    }
}
