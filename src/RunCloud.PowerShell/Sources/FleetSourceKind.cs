namespace RunCloud.PowerShell.Sources
{
    /// <summary>Where a target's desired names come from.</summary>
    public enum FleetSourceKind
    {
        Domains,
        Path,
        WordPressPath,
    }
}
