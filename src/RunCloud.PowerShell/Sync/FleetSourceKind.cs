namespace RunCloud.PowerShell.Sync
{
    /// <summary>Where a target's desired names come from.</summary>
    public enum FleetSourceKind
    {
        Domains,
        Path,
        WordPressPath,
    }
}
