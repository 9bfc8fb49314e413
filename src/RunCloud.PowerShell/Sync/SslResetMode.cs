namespace RunCloud.PowerShell.Sync
{
    /// <summary>Which form of Reset-RunCloudSsl a request takes, decided from the app's SSL state while preparing.</summary>
    internal enum SslResetMode
    {
        /// <summary>The SSL strategy: one redeploy (or install) in basic mode, one order per domain that needs one in advanced mode.</summary>
        Strategy,

        /// <summary>-Reinstall with the same provider and validation: the settings change in place (PATCH), then one redeploy.</summary>
        SettingsInPlace,

        /// <summary>-Reinstall: the certificate is uninstalled, then the new one installed (the journal owes it in between).</summary>
        Reinstall,

        /// <summary>Basic mode without a certificate and a provider chosen (-Reinstall or custom): installed directly.</summary>
        Install,

        /// <summary>-Reinstall in advanced mode: each chosen domain's certificate replaced.</summary>
        ReinstallPerDomain,
    }
}
