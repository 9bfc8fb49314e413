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

        /// <summary>
        /// The full check is due but not the full listing: one page of the newest domains vouches that the app holds the
        /// last clean sync's record (<see cref="DriftCheck"/>); when it cannot, the whole listing follows in the same run.
        /// </summary>
        DriftCheck,
    }
}
