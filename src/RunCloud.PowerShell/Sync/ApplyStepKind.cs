namespace RunCloud.PowerShell.Sync
{
    /// <summary>What one confirmable step of an apply does.</summary>
    internal enum ApplyStepKind
    {
        /// <summary>POST .../domains: one name.</summary>
        Add,

        /// <summary>DELETE .../domains/{d} (and, in advanced SSL mode, the domain's own certificate first).</summary>
        Remove,

        /// <summary>The SSL step after the domain changes: the SSL strategy with all its checks, once per app.</summary>
        FollowSsl,

        /// <summary>One order the SSL strategy planned (Reset-RunCloudSsl confirms them one by one).</summary>
        SslOrder,

        /// <summary>Reset-RunCloudSsl -Reinstall with the same provider: PATCH the settings in place, then redeploy.</summary>
        SslSettingsInPlace,

        /// <summary>Reset-RunCloudSsl -Reinstall: uninstall the app's certificate, then install the new one.</summary>
        SslReinstall,

        /// <summary>Reset-RunCloudSsl on an app without a certificate, with a provider chosen: install it.</summary>
        SslInstall,

        /// <summary>Reset-RunCloudSsl -Reinstall in advanced mode: one domain's certificate replaced.</summary>
        SslDomainReinstall,

        /// <summary>Remove-RunCloudSsl: DELETE .../ssl/{id}, the app's certificate (basic mode).</summary>
        SslUninstall,

        /// <summary>Remove-RunCloudSsl: DELETE .../domains/{d}/ssl/{id}, one domain's certificate (advanced mode).</summary>
        SslDomainUninstall,

        /// <summary>Remove-RunCloudSsl on an app left without a certificate: the reinstall a previous run owes is forgotten.</summary>
        SslForgetReinstall,
    }
}
