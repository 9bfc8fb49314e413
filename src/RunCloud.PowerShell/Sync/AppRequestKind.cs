namespace RunCloud.PowerShell.Sync
{
    /// <summary>What an <see cref="AppRequest"/> asks of one web app.</summary>
    internal enum AppRequestKind
    {
        /// <summary>Make the app's names match a desired list, under the sync's guards (Sync-RunCloudDomain, manifests).</summary>
        Desired,

        /// <summary>Ensure these names are on the app (Add-RunCloudDomain -ResetSsl).</summary>
        Ensure,

        /// <summary>Remove these domains, by id, name or wildcard (Remove-RunCloudDomain -ResetSsl).</summary>
        Remove,

        /// <summary>No domain change: make the certificates cover the app (Reset-RunCloudSsl).</summary>
        SslOnly,

        /// <summary>No domain change: uninstall certificates on purpose, and make the journal forget them (Remove-RunCloudSsl).</summary>
        SslRemoval,

        /// <summary>Exactly a reviewed plan's changes, re-verified against the live list and the planner's rules (Invoke-RunCloudSyncPlan).</summary>
        SavedPlan,
    }
}
