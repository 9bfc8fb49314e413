using System;
using System.Collections.Generic;
using System.Linq;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Ssl
{

    /// <summary>What one SSL action does.</summary>
    internal enum SslActionKind
    {
        /// <summary>Basic mode: PUT .../ssl/{id}, one certificate for every name of the app.</summary>
        RedeployApp,

        /// <summary>Basic mode without a certificate: POST .../ssl (Reset-RunCloudSsl).</summary>
        InstallApp,

        /// <summary>Advanced mode: POST .../domains/{d}/ssl, the domain's own certificate.</summary>
        InstallDomain,

        /// <summary>Advanced mode: PUT .../domains/{d}/ssl/{ssl}.</summary>
        RedeployDomain,
    }
}
