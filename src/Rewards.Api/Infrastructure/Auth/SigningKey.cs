using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Rewards.Api.Infrastructure.Auth;

/// <summary>The RSA key that signs access tokens, persistent so that restarts and other instances keep accepting tokens.</summary>
public static class SigningKey
{
    public static RsaSecurityKey Load(AuthOptions options, IHostEnvironment environment)
    {
        var rsa = RSA.Create();
        if (string.IsNullOrWhiteSpace(options.SigningKeyPath))
        {
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException(
                    $"{AuthOptions.Section}:SigningKeyPath must name the PEM file of the RSA signing key (env Rewards__Auth__SigningKeyPath).");
            }
            rsa.KeySize = 2048;
            Console.Error.WriteLine("warning: no signing key configured (Development): tokens will not survive a restart.");
        }
        else
        {
            if (!File.Exists(options.SigningKeyPath))
            {
                if (!options.CreateSigningKey)
                {
                    throw new InvalidOperationException($"Signing key file '{options.SigningKeyPath}' does not exist.");
                }
                Create(options.SigningKeyPath);
            }
            rsa.ImportFromPem(File.ReadAllText(options.SigningKeyPath));
        }
        // The key id derives from the public key, so every instance loading the same file names it the same.
        var kid = Base64UrlEncoder.Encode(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo())[..16]);
        return new RsaSecurityKey(rsa) { KeyId = kid };
    }

    private static void Create(string path)
    {
        using var rsa = RSA.Create(2048);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, rsa.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.Move(temp, path, overwrite: false);
    }
}
