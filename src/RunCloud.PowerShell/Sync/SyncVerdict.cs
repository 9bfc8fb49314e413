namespace RunCloud.PowerShell.Sync
{
    /// <summary>What the guards decided about a plan.</summary>
    internal enum SyncVerdict
    {
        /// <summary>Apply the plan.</summary>
        Proceed,

        /// <summary>Stop before any change: the desired list is empty and -Prune would remove everything removable.</summary>
        EmptySource,

        /// <summary>Stop before any change: the server's listing has an item without a valid id, name or type.</summary>
        InvalidResponse,

        /// <summary>Stop before any change: more removals than -MaxRemove.</summary>
        TooManyRemovals,
    }
}
