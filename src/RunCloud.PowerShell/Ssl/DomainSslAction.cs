namespace RunCloud.PowerShell.Ssl
{
    /// <summary>What making one domain's certificate (advanced SSL mode) cover it takes.</summary>
    internal enum DomainSslAction
    {
        /// <summary>PUT .../domains/{d}/ssl/{id}: the domain has a certificate; deploy it again.</summary>
        Redeploy,

        /// <summary>POST .../domains/{d}/ssl: the domain has none (or -Reinstall); issue one.</summary>
        Install,
    }
}
