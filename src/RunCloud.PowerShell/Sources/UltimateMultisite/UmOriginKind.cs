namespace RunCloud.PowerShell.Sources.UltimateMultisite
{
    /// <summary>Why a name is in (or out of) the desired set.</summary>
    public enum UmOriginKind
    {
        /// <summary>A row of a UM mapping table.</summary>
        Mapping,

        /// <summary>A network's main domain ({prefix}site).</summary>
        NetworkMainDomain,

        /// <summary>A live site's own host ({prefix}blogs), e.g. a subsite of a subdomain install.</summary>
        SiteHost,
    }
}
